using System.Diagnostics;
using System.Net;
using System.Text;
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
/// A code host's smart-HTTP endpoint on loopback: Kestrel over TLS (test CA) running the real
/// <c>git http-backend</c> as a CGI (RFC 3875) for each request, after checking
/// <c>Authorization: Basic base64(x-access-token:TOKEN)</c> as GitHub does; anything else is a 401.
/// </summary>
internal sealed class GitHttpBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GitHttpBackend(WebApplication app, int port, string root)
    {
        _app = app;
        Port = port;
        Root = root;
    }

    public int Port { get; }

    /// <summary>GIT_PROJECT_ROOT: bare repositories live here.</summary>
    public string Root { get; }

    /// <summary>Requests refused for want of the right Basic credentials.</summary>
    public int Unauthorized { get; private set; }

    public static async Task<GitHttpBackend> StartAsync(InterceptTestCa ca, string root, string token)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = ca.Issue("git.example.test");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate));
        });
        WebApplication app = builder.Build();
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token));
        GitHttpBackend? self = null;
        app.Run(async context =>
        {
            if (context.Request.Headers.Authorization != expected)
            {
                self!.Unauthorized++;
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
                return;
            }

            await RunCgiAsync(context, root);
        });
        await app.StartAsync();
        int port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
        self = new GitHttpBackend(app, port, root);
        return self;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static async Task RunCgiAsync(HttpContext context, string root)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("http-backend");
        start.Environment["GIT_PROJECT_ROOT"] = root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["REMOTE_USER"] = "x-access-token"; // enables receive-pack (push), as an authenticated user
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        start.Environment["REQUEST_METHOD"] = context.Request.Method;
        start.Environment["PATH_INFO"] = context.Request.Path.Value;
        start.Environment["QUERY_STRING"] = context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : "";
        start.Environment["CONTENT_TYPE"] = context.Request.ContentType ?? "";
        start.Environment["HTTP_CONTENT_ENCODING"] = context.Request.Headers.ContentEncoding.ToString();
        start.Environment["GIT_PROTOCOL"] = context.Request.Headers["Git-Protocol"].ToString();
        if (context.Request.ContentLength is { } length)
        {
            start.Environment["CONTENT_LENGTH"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using Process process = Process.Start(start)!;
        Task errors = process.StandardError.ReadToEndAsync();
        await context.Request.Body.CopyToAsync(process.StandardInput.BaseStream);
        process.StandardInput.Close();

        // CGI response: header lines up to a blank line ("Status: 200 OK" sets the status), then the body.
        Stream output = process.StandardOutput.BaseStream;
        var line = new List<byte>();
        while (true)
        {
            int b = output.ReadByte();
            if (b < 0)
            {
                break;
            }

            if (b != '\n')
            {
                line.Add((byte)b);
                continue;
            }

            string header = Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
            line.Clear();
            if (header.Length == 0)
            {
                break;
            }

            int colon = header.IndexOf(':', StringComparison.Ordinal);
            string name = header[..colon];
            string value = header[(colon + 1)..].Trim();
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = int.Parse(value.AsSpan(0, 3), System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                context.Response.Headers.Append(name, value);
            }
        }

        await output.CopyToAsync(context.Response.Body);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await errors;
    }
}
