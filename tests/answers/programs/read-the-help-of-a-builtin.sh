help cd
