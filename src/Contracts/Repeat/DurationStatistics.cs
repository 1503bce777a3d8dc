namespace FlowTrace.Contracts.Repeat;

/// <summary>One figure over repeated runs: the first run beside the statistics of the others.</summary>
/// <param name="First">The first run's value (a cold start shows here).</param>
/// <param name="Median">Median of the other runs; null when there is only one run.</param>
/// <param name="P95">95th percentile (nearest rank) of the other runs.</param>
/// <param name="Min">Smallest of the other runs.</param>
/// <param name="Max">Largest of the other runs.</param>
public sealed record DurationStatistics(TimeSpan First, TimeSpan? Median, TimeSpan? P95, TimeSpan? Min, TimeSpan? Max)
{
    /// <summary>Statistics of <paramref name="values"/>, in run order.</summary>
    public static DurationStatistics Of(IReadOnlyList<TimeSpan> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
            throw new ArgumentException("At least one value is needed.", nameof(values));
        var rest = values.Skip(1).Order().ToList();
        if (rest.Count == 0)
            return new DurationStatistics(values[0], null, null, null, null);
        var median = rest.Count % 2 == 1 ? rest[rest.Count / 2] : (rest[rest.Count / 2 - 1] + rest[rest.Count / 2]) / 2;
        var p95 = rest[Math.Max(0, (int)Math.Ceiling(0.95 * rest.Count) - 1)];
        return new DurationStatistics(values[0], median, p95, rest[0], rest[^1]);
    }
}
