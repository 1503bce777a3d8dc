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
    public static string Serialize(TraceEvent traceEvent) => JsonSerializer.Serialize(traceEvent, Options);

    /// <summary>Reads one event back from its JSON form.</summary>
    public static TraceEvent Deserialize(string json) =>
        JsonSerializer.Deserialize<TraceEvent>(json, Options) ?? throw new JsonException("null is not a trace event");

    /// <summary>Applies the trace JSON conventions to options owned by a host (SignalR, minimal APIs).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        // Generated metadata first (no reflection on the hot path, which the WebAssembly interpreter makes slow); the
        // reflection resolver stays behind it for types a host serialises that the context does not list.
        if (!options.TypeInfoResolverChain.OfType<TraceJsonContext>().Any())
            options.TypeInfoResolverChain.Insert(0, TraceJsonContext.Default);
        if (!options.TypeInfoResolverChain.OfType<System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver>().Any())
            options.TypeInfoResolverChain.Add(new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
