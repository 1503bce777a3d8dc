namespace FlowTrace.Contracts.Events;

/// <summary>
/// Where a step's time went: waiting for the network (and the server), or the client's own work, itself split into
/// named shares. <see cref="Network"/> plus <see cref="Client"/> is the step's duration, and the shares add up to
/// <see cref="Client"/>.
/// </summary>
/// <param name="Network">Time spent waiting for the network and the server.</param>
/// <param name="Client">Time this computer spent on the step itself.</param>
/// <param name="ClientParts">The client time by what it was spent on; shares of zero are left out.</param>
public sealed record StepTimeSplit(TimeSpan Network, TimeSpan Client, IReadOnlyList<TimeShare> ClientParts)
{
    /// <summary>The share named <paramref name="name"/>, or zero.</summary>
    public TimeSpan Part(string name) => ClientParts.Where(p => p.Name == name).Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Duration);
}
