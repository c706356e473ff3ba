"""openpi's own websocket client and server, driven for chaingap's `npm run bench:remote`.

Imports them from an openpi checkout (OPENPI_DIR): openpi_client.websocket_client_policy and
src/openpi/serving/websocket_policy_server.py (loaded by path, so openpi's model stack is not needed).
Needs numpy, msgpack, typing_extensions and websockets >= 13 (see benchmarks/README.md).

  python3 openpi_pair.py OPENPI_DIR serve CHUNK
      openpi's WebsocketPolicyServer.serve_forever with a policy that answers every request with zeros
      [CHUNK, 7] float32, on a free port of 127.0.0.1 it prints as "port N"; runs until killed
  python3 openpi_pair.py OPENPI_DIR client URL CALLS WARMUP SIZE STATE_DIM
      send CALLS requests (after WARMUP untimed ones) shaped as chaingap's LIBERO preset sends them: two
      SIZE x SIZE x 3 uint8 images, a float32 state of STATE_DIM, a prompt; prints the round trips in ms
      as one JSON line
"""

import importlib.util
import json
import os
import socket
import sys
import time


def openpi_paths(root):
    sys.path.insert(0, os.path.join(root, "packages", "openpi-client", "src"))


def serve(root, chunk):
    import numpy as np

    spec = importlib.util.spec_from_file_location(
        "openpi_websocket_policy_server", os.path.join(root, "src", "openpi", "serving", "websocket_policy_server.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class ZeroPolicy:
        def infer(self, obs):
            return {"actions": np.zeros((chunk, 7), dtype=np.float32)}

        def reset(self):
            pass

    # openpi's server binds the port it is given: take a free one, then run its own serve_forever.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = module.WebsocketPolicyServer(ZeroPolicy(), host="127.0.0.1", port=port, metadata={"server": "openpi"})
    print(f"port {port}", flush=True)
    server.serve_forever()


def client(url, calls, warmup, size, state_dim):
    import numpy as np
    from openpi_client import websocket_client_policy

    rng = np.random.default_rng(0)
    obs = {
        "observation/image": rng.integers(0, 256, (size, size, 3), dtype=np.uint8),
        "observation/wrist_image": rng.integers(0, 256, (size, size, 3), dtype=np.uint8),
        "observation/state": rng.standard_normal(state_dim).astype(np.float32),
        "prompt": "put the alphabet soup on the plate",
    }
    policy = websocket_client_policy.WebsocketClientPolicy(url)
    times = []
    for i in range(warmup + calls):
        t0 = time.perf_counter()
        out = policy.infer(obs)
        dt = (time.perf_counter() - t0) * 1000
        if out["actions"].shape[1] < 7:
            raise SystemExit(f"reply actions of shape {out['actions'].shape}")
        if i >= warmup:
            times.append(dt)
    print(json.dumps(times), flush=True)


if __name__ == "__main__":
    root, mode = sys.argv[1], sys.argv[2]
    openpi_paths(root)
    if mode == "serve":
        serve(root, int(sys.argv[3]))
    elif mode == "client":
        client(sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    else:
        raise SystemExit(f"unknown mode {mode}: serve or client")
