# rmdir removes only empty folders, so it cannot take letters or photos with it
rmdir attic/boxes attic/toys
