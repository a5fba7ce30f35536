# An application image on top of the Hull image: the manifest, its components and files.
#   docker build -f deploy/Dockerfile.app --build-arg APP=path/to/app -t my-app .
FROM hull
ARG APP=app
COPY ${APP} /app
CMD ["serve", "/app/spin.toml", "--addr", "0.0.0.0:3000", "--admin-addr", "0.0.0.0:9090", \
     "--runtime-config", "/etc/hull/runtime-config.toml", "--state-dir", "/tmp/hull-state"]
