using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Tests.Interception;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Credentials;

/// <summary>
/// A real HTTPS token endpoint on loopback (certificate from the test CA): every POST to
/// <see cref="Path"/> is counted and answered by the test's handler, which verifies what a real
/// identity provider verifies. <see cref="Gate"/> holds answers back until the test releases them.
/// </summary>
internal sealed class TokenEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _hits;

    private TokenEndpoint(WebApplication app, int port, string path)
    {
        _app = app;
        Port = port;
        Path = path;
    }

    public int Port { get; }

    public string Path { get; }

    /// <summary>The endpoint's URL, by IP literal (the test CA's certificates name 127.0.0.1).</summary>
    public string Url => $"https://127.0.0.1:{Port}{Path}";

    /// <summary>Requests that reached the endpoint (answered or not).</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>When set, every answer waits for it (single-flight tests).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completed at the first hit.</summary>
    public TaskCompletionSource FirstHit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<TokenEndpoint> StartAsync(InterceptTestCa ca, string path, Func<HttpContext, IFormCollection, Task<IResult>> answer)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        X509Certificate2 certificate = ca.Issue("auth.example.test");
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        WebApplication app = builder.Build();
        TokenEndpoint? self = null;
        app.MapPost(path, async (HttpContext context) =>
        {
            Interlocked.Increment(ref self!._hits);
            self.FirstHit.TrySetResult();
            if (self.Gate is { } gate)
            {
                await gate.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }

            IFormCollection form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : FormCollection.Empty;
            return await answer(context, form);
        });
        await app.StartAsync();
        int port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
        self = new TokenEndpoint(app, port, path);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        Gate?.TrySetResult();
        await _app.DisposeAsync();
    }
}
