"""Tables: the server-side tables kubectl prints (the apiserver's columns for every kind)."""
