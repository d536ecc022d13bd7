"""The network of `examples/digits_cnn.rs` in PyTorch, on the same split.

    cargo run --release --example digits_cnn -- --export-split /tmp --save /tmp/cnn.safetensors
    python docs/peers/digits_cnn.py /tmp [/tmp/cnn.safetensors]   # needs torch, safetensors

Same data (the split the Rust example wrote, standardized with the
training rows' statistics), architecture, default initialization, Adam at
2e-3 with cosine decay to 1e-5 over 30 epochs, mini-batches of 32 and
dropout 0.25; prints the held-out accuracy and the training time. Given
the model tapegrad saved, also loads it into the PyTorch network
(`load_state_dict`, names and shapes checked) and prints its accuracy.
"""
import sys
import time

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(2)
root = sys.argv[1] if len(sys.argv) > 1 else "."
train = np.loadtxt(f"{root}/digits-train.csv", delimiter=",", dtype=np.float32)
test = np.loadtxt(f"{root}/digits-test.csv", delimiter=",", dtype=np.float32)
xtr, ytr = torch.tensor(train[:, :-1]), torch.tensor(train[:, -1]).long()
xte, yte = torch.tensor(test[:, :-1]), torch.tensor(test[:, -1]).long()
mean, std = xtr.mean(0), xtr.std(0, unbiased=False)
std[std == 0] = 1.0
xtr, xte = (xtr - mean) / std, (xte - mean) / std

model = nn.Sequential(
    nn.Unflatten(1, (1, 8, 8)),
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25),
    nn.Linear(32 * 4 * 4, 10),
)
epochs = 30
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=1e-5)
start = time.perf_counter()
for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(xtr))
    for i in range(0, len(xtr), 32):
        idx = order[i:i + 32]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
    sched.step()
elapsed = time.perf_counter() - start
model.eval()
with torch.no_grad():
    acc = (model(xte).argmax(1) == yte).float().mean().item()
print(f"trained in {elapsed:.2f} s")
print(f"test accuracy: {acc:.4f}")

if len(sys.argv) > 2:
    from safetensors.torch import load_file
    model.load_state_dict(load_file(sys.argv[2]))
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"tapegrad's model in PyTorch: test accuracy {acc:.4f}")
