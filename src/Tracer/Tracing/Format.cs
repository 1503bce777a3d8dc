using System.Globalization;

namespace FlowTrace.Tracer.Tracing;

/// <summary>Formats numbers the way every message of a trace shows them.</summary>
public static class Format
{
    /// <summary>A duration in ms with a precision that suits its size (0.084 ms, 12.3 ms, 1,204 ms).</summary>
    public static string Duration(TimeSpan duration) => FlowTrace.Contracts.Events.TimeSplitWords.Duration(duration);

    /// <summary>A byte count with its unit.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };

    /// <summary>A lifetime in its largest whole unit (300 s, 2 h, 7 d).</summary>
    public static string Lifetime(TimeSpan lifetime) => FlowTrace.Contracts.Events.TimeSplitWords.Lifetime(lifetime);
}
