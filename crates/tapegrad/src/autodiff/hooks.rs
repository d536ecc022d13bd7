//! Gradient hooks: a function registered on a `Var` that sees the node's
//! complete gradient during the reverse walk — after every consumer has
//! added its share, before the node passes it on — and may change it in
//! place (clip, scale, log), as PyTorch's `Tensor.register_hook`.

use crate::{Float, Var};

impl<'t, T: Float> Var<'t, T> {
    /// Registers `hook` to run on this value's gradient in every
    /// [`backward`](Var::backward) of this recording, once, with the summed
    /// gradient of all its uses; what the hook leaves in the slice is what
    /// flows on (or, for a parameter, what is reported). Hooks registered on
    /// one node run in registration order. The recorded walk
    /// ([`grad_graph`](Var::grad_graph)) does not run hooks.
    ///
    /// # Panics
    /// When no gradient can reach this value (a constant, or a value
    /// computed from constants only).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, -2.0, 3.0], [3]));
    /// let h = x * 10.0;
    /// h.register_hook(|g| g.iter_mut().for_each(|e| *e = e.clamp(-1.0, 1.0))); // clip
    /// let g = (h * h).sum().backward();
    /// assert_eq!(g[x].data(), &[10.0, -10.0, 10.0]); // 10 · clip(2h)
    /// ```
    #[track_caller]
    pub fn register_hook(self, hook: impl FnMut(&mut [T]) + Send + 'static) {
        let mut inner = self.tape.inner.borrow_mut();
        let node = &mut inner.nodes[self.id as usize];
        assert!(
            node.requires_grad,
            "tapegrad: register_hook: node #{} gets no gradient (a constant, or computed from constants only) (at {})",
            self.id,
            std::panic::Location::caller()
        );
        node.has_hook = true;
        inner.hooks.push((self.id, Box::new(hook)));
    }
}
