namespace FlowTrace.Contracts.Events;

/// <summary>A named share of a step's client time (see <see cref="ClientWorkNames"/> for the names).</summary>
/// <param name="Name">What the time was spent on: <c>tls-crypto</c>, <c>certificate-validation</c>, <c>jit</c>, <c>gc</c> or <c>tracer</c>.</param>
/// <param name="Duration">How long.</param>
public sealed record TimeShare(string Name, TimeSpan Duration);
