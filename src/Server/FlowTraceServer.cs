using FlowTrace.Contracts.Events;
using FlowTrace.Server.Api;
using FlowTrace.Server.Hubs;
using FlowTrace.Server.Tracing;
using FlowTrace.Tracer.Sni;
using FlowTrace.Tracer.Tracing;
using Microsoft.Extensions.FileProviders;

namespace FlowTrace.Server;

/// <summary>Builds the FlowTrace web app; <c>Program</c> runs it, tests start it on a free port.</summary>
public static class FlowTraceServer
{
    /// <summary>Builds the app from command-line arguments and configuration; <paramref name="configureServices"/>
    /// lets tests decorate services.</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<FlowTraceServerOptions>()
            .Bind(builder.Configuration.GetSection(FlowTraceServerOptions.Section))
            .Validate(o => { o.Lab.Validate(); return o.StepModeTimeout > TimeSpan.Zero && o.StepModeTotalTimeout > TimeSpan.Zero; }, "FlowTrace options are invalid.")
            .ValidateOnStart();
        builder.Services.AddSingleton<LabHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LabHost>());
        builder.Services.AddSingleton<ITracer>(_ => new FlowTracer());
        builder.Services.AddSingleton<TraceRequestFactory>();
        builder.Services.AddSingleton<StepGates>();
        builder.Services.AddSingleton(_ => new SniComparer());
        builder.Services.AddSingleton<SniRequestFactory>();
        builder.Services.AddProblemDetails();
        builder.Services.AddSignalR().AddJsonProtocol(o => TraceJson.Configure(o.PayloadSerializerOptions));
        builder.Services.ConfigureHttpJsonOptions(o => TraceJson.Configure(o.SerializerOptions));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseBlazorFrameworkFiles();
        app.UseStaticFiles();
        var assets = Path.Combine(AppContext.BaseDirectory, "assets");
        if (Directory.Exists(assets))
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(assets), RequestPath = "/assets" });
        app.MapTraceApi();
        app.MapHub<TraceHub>(TraceHub.Path);
        app.MapFallbackToFile("index.html");
        return app;
    }
}
