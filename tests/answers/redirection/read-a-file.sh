cat message.txt
