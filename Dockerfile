# agentcored in a container: a static binary on distroless, running as a
# non-root user, data in the /data volume.
#
#   docker build -t agentcored .
#   docker run --rm -p 4566:4566 -v agentcored-data:/data agentcored
#
# See docs/DOCKER.md.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# CGO_ENABLED=0: the SQLite driver is pure Go, so the binary is static and
# needs no libc in the final image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/agentcored ./cmd/agentcored \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/agentcored /agentcored
# Owned by the image's non-root user (65532), so a fresh named volume
# mounted here is writable.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME ["/data"]
EXPOSE 4566
ENTRYPOINT ["/agentcored","serve","--listen","0.0.0.0:4566","--data-dir","/data"]
