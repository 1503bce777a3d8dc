using System.Text.Json.Serialization;

namespace FlowTrace.Server.Operations;

/// <summary>The health answer's JSON, generated at build time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HealthAnswer))]
internal sealed partial class HealthJson : JsonSerializerContext;
