using FlowTrace.Client;
using FlowTrace.Client.Services;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");
builder.Services.AddScoped(_ => new HttpClient { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) });
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<PageMarks>();
builder.Services.AddScoped<HubClient>();
builder.Services.AddScoped<TraceSession>();
builder.Services.AddScoped<SniSession>();
await builder.Build().RunAsync();
