using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlowTrace.Contracts;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Tracer.Tests.Lab;

namespace FlowTrace.Tracer.Tests.Tracing;

[Collection(LabCollection.Name)]
public sealed class TraceJsonTests(LabFixture lab)
{
    [Fact]
    public void Options_GeneratedMetadataOnly_ReflectionOnlyBehindItForHosts()
    {
        // The native command line has no reflection to fall back on: the contracts' own options must not need it.
        Assert.IsType<TraceJsonContext>(Assert.Single(TraceJson.Options.TypeInfoResolverChain));
        var host = new JsonSerializerOptions();
        TraceJson.ConfigureForHost(host);
        Assert.IsType<TraceJsonContext>(host.TypeInfoResolverChain[0]);
        Assert.IsType<System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver>(host.TypeInfoResolverChain[^1]);
    }

    [Fact]
    public void Options_EveryContractEnum_WrittenAsCamelCaseText()
    {
        // Without a converter of its own an enum would be written as a number, and the page and stored traces would break.
        var enums = typeof(TraceEvent).Assembly.GetExportedTypes().Where(t => t.IsEnum).ToList();
        Assert.NotEmpty(enums);
        Assert.All(enums, type => Assert.Contains(TraceJson.Options.Converters, c => c.CanConvert(type)));
        Assert.Equal("\"serverToClient\"", JsonSerializer.Serialize(WireDirection.ServerToClient, TraceJson.TypeInfo<WireDirection>()));
    }

    [Fact]
    public void Context_EveryEventDetailsType_HasGeneratedMetadata()
    {
        // A details type left out of the context would silently fall back to reflection, slow in the page.
        var derived = typeof(TraceEventDetails).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType).ToList();
        Assert.NotEmpty(derived);
        Assert.All(derived, type => Assert.NotNull(TraceJsonContext.Default.GetTypeInfo(type)));
    }

    [Fact]
    public async Task Serialize_GeneratedAndReflection_WriteTheSameJson()
    {
        var reflection = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        foreach (var site in new[] { "www", "redirect", "refused" })
        {
            foreach (var e in await lab.TraceAsync(site))
                Assert.Equal(JsonSerializer.Serialize(e, reflection), TraceJson.Serialize(e));
        }

        var repeat = new RepeatUpdate(1, 2, null, null);
        Assert.Equal(JsonSerializer.Serialize(repeat, reflection), JsonSerializer.Serialize(repeat, TraceJson.Options));
    }
}
