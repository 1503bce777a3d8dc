namespace FlowTrace.Server.Storage;

/// <summary>The configuration section <c>FlowTrace:Storage</c>: where traces are kept and for how long. The database is
/// SQLite in <see cref="DataDirectory"/> unless <c>ConnectionStrings:Traces</c> names a PostgreSQL server.</summary>
public sealed record TraceStoreOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "FlowTrace:Storage";

    /// <summary>Store traces at all (default: yes).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Where the SQLite file goes; relative paths are under the app's content root. Default: <c>data</c>.</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>Traces kept at most; the oldest go first.</summary>
    public int MaxCount { get; init; } = 10_000;

    /// <summary>How long a trace is kept.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How often retention runs.</summary>
    public TimeSpan PruneInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest NDJSON file <c>POST /api/traces/import</c> accepts, in bytes.</summary>
    public int MaxImportBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>The most events an imported trace may hold.</summary>
    public int MaxImportEvents { get; init; } = 20_000;

    /// <summary>Whether the values make sense (checked at start-up).</summary>
    public bool IsValid => MaxCount > 0 && MaxAge > TimeSpan.Zero && PruneInterval > TimeSpan.Zero && MaxImportBytes > 0 && MaxImportEvents > 0 && !string.IsNullOrWhiteSpace(DataDirectory);
}
