echo ~
