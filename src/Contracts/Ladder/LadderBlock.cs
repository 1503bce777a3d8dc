namespace FlowTrace.Contracts.Ladder;

/// <summary>Time the client spent on its own between receiving something and sending the next thing (cryptography,
/// certificate checks, the tracer's work), drawn as a block on the client's lane.</summary>
/// <param name="Start">When the client received the last message before it.</param>
/// <param name="End">When the client sent the next one.</param>
/// <param name="Hop">The redirect hop.</param>
public sealed record LadderBlock(TimeSpan Start, TimeSpan End, int Hop);
