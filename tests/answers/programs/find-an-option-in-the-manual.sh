ls -t photos
