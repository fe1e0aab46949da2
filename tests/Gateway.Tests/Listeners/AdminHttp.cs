using System.Net.Http.Json;
using System.Net.Sockets;

namespace Gateway.Tests.Listeners;

/// <summary>An HTTP client on the daemon's admin unix socket, as vmm will use it.</summary>
internal static class AdminHttp
{
    public static HttpClient Create(string stateDir)
    {
        string path = Path.Combine(stateDir, "admin.sock");
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://gateway-admin"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<HttpResponseMessage> RegisterAsync(string stateDir, object registration)
    {
        using HttpClient client = Create(stateDir);
        return await client.PostAsJsonAsync("/sandboxes", registration);
    }
}
