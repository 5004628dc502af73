mkdir music
