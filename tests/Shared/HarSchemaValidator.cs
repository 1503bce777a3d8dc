using System.Text.Json;
using Json.Schema;

namespace FlowTrace.Testing;

/// <summary>Validates a HAR document against the HAR 1.2 JSON schemas of the <c>har-schema</c> package (copied to the
/// test output from tests/Shared/HarSchema), formats included (dates, IP addresses).</summary>
public static class HarSchemaValidator
{
    private static readonly Uri Base = new("https://har-schema.test/lib/");

    /// <summary>The schema errors, empty when the document is a valid HAR 1.2 log.</summary>
    public static IReadOnlyList<string> Errors(string har)
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema? root = null;
        var directory = Path.Combine(AppContext.BaseDirectory, "HarSchema");
        foreach (var file in Directory.GetFiles(directory, "*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var schema = JsonSchema.Build(document.RootElement.Clone(), options, new Uri(Base, Path.GetFileName(file)));
            if (Path.GetFileName(file) == "har.json")
                root = schema;
        }

        using var instance = JsonDocument.Parse(har);
        var result = root!.Evaluate(instance.RootElement, new EvaluationOptions { RequireFormatValidation = true, OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}"))];
    }
}
