using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Vmm.Admin;

/// <summary>
/// vmm's client of the gateway's admin API on <c>{stateDir}/admin.sock</c>. vmm reaches the
/// gateway only through this API (DESIGN.md), so it speaks the JSON contract with its own
/// records instead of referencing the daemon's internals.
/// </summary>
internal sealed class GatewayAdmin : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private readonly HttpClient _client;

    private GatewayAdmin(string socketPath)
    {
        SocketPath = socketPath;
        var endpoint = new UnixDomainSocketEndPoint(socketPath);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endpoint, token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _client = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri("http://gateway-admin"), Timeout = s_timeout };
    }

    /// <summary>The admin socket.</summary>
    public string SocketPath { get; }

    /// <summary>The admin socket of the gateway whose state directory is <paramref name="stateDirectory"/>.</summary>
    public static GatewayAdmin For(string stateDirectory) => new(Path.Combine(stateDirectory, "admin.sock"));

    /// <summary>The gateway's status; throws <see cref="GatewayNotRunningException"/> when no gateway answers.</summary>
    public async Task<GatewayStatus> StatusAsync(CancellationToken cancellation)
    {
        using HttpResponseMessage response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/status"), cancellation).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(VmmJsonContext.Default.GatewayStatus, cancellation).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the gateway answered /status with nothing");
    }

    /// <summary>Registers a sandbox; returns the gateway's reasons when it refuses, else an empty list.</summary>
    public async Task<IReadOnlyList<string>> RegisterAsync(GatewayRegistration registration, CancellationToken cancellation)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/sandboxes")
        {
            Content = JsonContent.Create(registration, VmmJsonContext.Default.GatewayRegistration),
        };
        using HttpResponseMessage response = await SendAsync(request, cancellation).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return [];
        }

        GatewayErrors? errors = null;
        try
        {
            errors = await response.Content.ReadFromJsonAsync(VmmJsonContext.Default.GatewayErrors, cancellation).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return errors?.Errors is { Count: > 0 } list ? list : [$"the gateway refused the registration ({(int)response.StatusCode})"];
    }

    /// <summary>Forgets a sandbox; true when the gateway knew it. No gateway: <see cref="GatewayNotRunningException"/>.</summary>
    public async Task<bool> UnregisterAsync(string name, CancellationToken cancellation)
    {
        using HttpResponseMessage response = await SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, "/sandboxes/" + Uri.EscapeDataString(name)), cancellation).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }

    /// <summary>
    /// The sandbox's environment as the gateway sees it (<c>GET /sandboxes/NAME/environment</c>):
    /// its kits' variables and a placeholder per proxy-managed variable. Null when this gateway
    /// does not serve it.
    /// </summary>
    public async Task<GatewayEnvironment?> EnvironmentAsync(string name, CancellationToken cancellation)
    {
        using HttpResponseMessage response = await SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "/sandboxes/" + Uri.EscapeDataString(name) + "/environment"), cancellation).ConfigureAwait(false);

        // A gateway without the endpoint answers an unknown admin path 404, or 400 from its proxy fallback.
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.BadRequest)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(VmmJsonContext.Default.GatewayEnvironment, cancellation).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellation)
    {
        using (request)
        {
            if (!File.Exists(SocketPath))
            {
                throw new GatewayNotRunningException(SocketPath, "no admin socket");
            }

            try
            {
                return await _client.SendAsync(request, cancellation).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException socket)
            {
                throw new GatewayNotRunningException(SocketPath, socket.Message);
            }
        }
    }
}
