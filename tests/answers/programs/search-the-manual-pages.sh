man -k 'byte count'
