using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Security.Tests.Harness;

/// <summary>A real Kestrel upstream on loopback that records every request it is handed (method, path, Host, body) and answers "seen PATH".</summary>
internal sealed class RecordingUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests;

    private RecordingUpstream(WebApplication app, ConcurrentQueue<string> requests, int port)
    {
        _app = app;
        _requests = requests;
        Port = port;
    }

    public int Port { get; }

    /// <summary>"METHOD PATH host=HOST body=BODY", one per request received.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public static async Task<RecordingUpstream> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var requests = new ConcurrentQueue<string>();
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync();
            requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} host={context.Request.Host} body={body}");
            byte[] answer = System.Text.Encoding.ASCII.GetBytes("seen " + context.Request.Path);
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer);
        });
        await app.StartAsync();
        int port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
        return new RecordingUpstream(app, requests, port);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
