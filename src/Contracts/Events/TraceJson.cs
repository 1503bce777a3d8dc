using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlowTrace.Contracts;

namespace FlowTrace.Contracts.Events;

/// <summary>The one JSON shape of trace events, shared by the command line, the server and the client.</summary>
public static class TraceJson
{
    /// <summary>Read-only serializer options: camelCase names, enums as strings.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Serialises one event to a single line of JSON.</summary>
    public static string Serialize(TraceEvent traceEvent) => JsonSerializer.Serialize(traceEvent, TypeInfo<TraceEvent>());

    /// <summary>Contract values as NDJSON, one per line, each line ending in a newline: events exactly as
    /// <c>flowtrace --json</c> prints them, or an SNI comparison's updates.</summary>
    public static string SerializeLines<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var typeInfo = TypeInfo<T>();
        var text = new System.Text.StringBuilder();
        foreach (var item in items)
            text.Append(JsonSerializer.Serialize(item, typeInfo)).Append('\n');
        return text.ToString();
    }

    /// <summary>Reads one event back from its JSON form.</summary>
    public static TraceEvent Deserialize(string json) =>
        JsonSerializer.Deserialize(json, TypeInfo<TraceEvent>()) ?? throw new JsonException("null is not a trace event");

    /// <summary>The metadata of a contract type under <see cref="Options"/>, for serialising without reflection.</summary>
    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> TypeInfo<T>() =>
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>Applies the trace JSON conventions to options: camelCase names, enums as camelCase strings, and the
    /// source-generated metadata of every contract type, so no reflection is needed (the command line is compiled ahead
    /// of time, the page runs in the WebAssembly interpreter where reflection is slow).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        if (!options.TypeInfoResolverChain.OfType<TraceJsonContext>().Any())
            options.TypeInfoResolverChain.Insert(0, TraceJsonContext.Default);
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        foreach (var converter in EnumConverters())
        {
            if (!options.Converters.Any(c => c.GetType() == converter.GetType()))
                options.Converters.Add(converter);
        }
    }

    /// <summary>
    /// <see cref="Configure"/>, then the reflection resolver behind the generated metadata, for hosts (SignalR, minimal
    /// APIs) that serialise types of their own beside the contracts.
    /// </summary>
    [RequiresUnreferencedCode("Types outside the contracts are serialised by reflection.")]
    [RequiresDynamicCode("Types outside the contracts are serialised by reflection.")]
    public static void ConfigureForHost(JsonSerializerOptions options)
    {
        Configure(options);
        if (!options.TypeInfoResolverChain.OfType<System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver>().Any())
            options.TypeInfoResolverChain.Add(new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
    }

    /// <summary>One converter per contract enum (the generic converter needs no code generated at run time); a test
    /// checks that every public enum of the contracts is here.</summary>
    private static IEnumerable<JsonConverter> EnumConverters() =>
    [
        new JsonStringEnumConverter<TraceStep>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<Lab.LabLesson>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<Ladder.LadderLaneKind>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<Ladder.LadderMeasuredEnd>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<TraceEventKind>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<WireDirection>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<TcpAttemptOutcome>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<BodyFraming>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<ConnectionCloser>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<DnsSkipReason>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<FindingSeverity>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<Requests.AddressFamilyPreference>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<Requests.SniMode>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<Requests.HttpVersionPreference>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<Storage.StoredTraceKind>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<Storage.StoredTraceOutcome>(JsonNamingPolicy.CamelCase),
    ];

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly();
        return options;
    }
}
