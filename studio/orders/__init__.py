"""The studio's Orders section: the store's orders from the cloud, their actions, live new orders."""
