rm old-shopping.txt
