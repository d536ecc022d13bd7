//! Saving and loading parameters as safetensors, with PyTorch names and layouts.
