"""HTTP: the request and response values, protobuf bodies, the server, and the namespace guard before a
learner's own cluster."""
