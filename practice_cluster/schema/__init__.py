"""Schema: the served resources, their OpenAPI definitions and validation in the apiserver's words."""
