//! Compile-time assertions about `Send` and `Sync`, written by hand (no
//! `static_assertions` dependency). Shared by the core's and the nn crate's
//! thread-safety tests (`#[path]` module).

/// Compiles only for `T: Send`.
pub const fn is_send<T: Send + ?Sized>() {}
/// Compiles only for `T: Sync`.
pub const fn is_sync<T: Sync + ?Sized>() {}

/// The negative assertions, written by hand the way `static_assertions`
/// does it: `probe` resolves to one impl when `T` lacks the trait and is
/// ambiguous — a compile error — when `T` has it.
pub trait AmbiguousIfSend<A> {
    fn probe() {}
}
impl<T: ?Sized> AmbiguousIfSend<()> for T {}
pub struct IsSend;
impl<T: ?Sized + Send> AmbiguousIfSend<IsSend> for T {}

pub trait AmbiguousIfSync<A> {
    fn probe() {}
}
impl<T: ?Sized> AmbiguousIfSync<()> for T {}
pub struct IsSync;
impl<T: ?Sized + Sync> AmbiguousIfSync<IsSync> for T {}
