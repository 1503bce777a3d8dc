namespace FlowTrace.Tracer.Tracing;

/// <summary>Clamping helpers for <see cref="TimeSpan"/>s, which <see cref="Math"/> does not take.</summary>
internal static class Durations
{
    /// <summary><paramref name="value"/>, or zero when it is negative.</summary>
    public static TimeSpan Positive(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;

    /// <summary>The shorter of two durations.</summary>
    public static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>The longer of two durations.</summary>
    public static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
