using System.Globalization;

namespace FlowTrace.Contracts.Events;

/// <summary>
/// How a step's <see cref="StepTimeSplit"/> is said in words: one wording for the page and the command line, so both
/// tell the same story from the same event.
/// </summary>
public static class TimeSplitWords
{
    /// <summary>Compilation above this share of the client time marks a figure as inflated by a cold start.</summary>
    public const double ColdShare = 0.25;

    /// <summary>"network 1.8 ms, client 3.1 ms (TLS cryptography 1.3 ms, certificate validation 0.4 ms, …)".</summary>
    public static string Summary(StepTimeSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        var parts = split.ClientParts.Count == 0 ? "" : $" ({string.Join(", ", split.ClientParts.Select(p => $"{ClientWorkNames.Describe(p.Name)} {Duration(p.Duration)}"))})";
        return $"network {Duration(split.Network)}, client {Duration(split.Client)}{parts}";
    }

    /// <summary>True when compiling code on first use is a large part of the client time.</summary>
    public static bool IsCold(StepTimeSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        var jit = split.Part(ClientWorkNames.Jit);
        return jit > TimeSpan.FromMilliseconds(0.2) && jit.Ticks > ColdShare * split.Client.Ticks;
    }

    /// <summary>A plain sentence about a cold start when the split shows one, else null.</summary>
    public static string? ColdStart(StepTimeSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (!IsCold(split))
            return null;
        var jit = split.Part(ClientWorkNames.Jit);
        var gc = split.Part(ClientWorkNames.Gc);
        return $"This figure is inflated by a cold start: {Duration(jit)} of it was .NET compiling FlowTrace's own code on first use, " +
               $"which happens once per process. A warm run would spend about {Duration(split.Client - jit - gc)} of client time here.";
    }

    /// <summary>A duration as FlowTrace writes it everywhere: "0.850 ms", "12.3 ms", "1,204 ms".</summary>
    public static string Duration(TimeSpan value)
    {
        var ms = value.TotalMilliseconds;
        // A share too small to show at this resolution is not nothing: say so rather than print 0.000.
        if (ms is > 0 and < 0.0005)
            return "< 0.001 ms";
        var text = ms switch
        {
            < 1 => ms.ToString("0.000", CultureInfo.InvariantCulture),
            < 100 => ms.ToString("0.0", CultureInfo.InvariantCulture),
            _ => ms.ToString("#,0", CultureInfo.InvariantCulture),
        };
        return text + " ms";
    }

    /// <summary>A lifetime of seconds to days in its largest whole unit (300 s, 2 h, 7 d), as a certificate's or ticket's.</summary>
    public static string Lifetime(TimeSpan lifetime) => lifetime switch
    {
        { TotalSeconds: 0 } => "no stated lifetime",
        { Seconds: 0, Minutes: 0, Hours: 0 } => $"{lifetime.TotalDays.ToString("0", CultureInfo.InvariantCulture)} d",
        { Seconds: 0, Minutes: 0 } => $"{lifetime.TotalHours.ToString("0", CultureInfo.InvariantCulture)} h",
        { Seconds: 0 } => $"{lifetime.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min",
        _ => $"{lifetime.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s",
    };
}
