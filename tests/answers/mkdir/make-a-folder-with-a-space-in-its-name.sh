mkdir "my photos"
