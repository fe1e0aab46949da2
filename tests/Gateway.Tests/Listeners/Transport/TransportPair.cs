using System.Net;
using System.Net.Sockets;
using Gateway.Listeners.Transport;
using Gateway.Tests.Relay;

namespace Gateway.Tests.Listeners.Transport;

/// <summary>A client socket and the <see cref="GatewayConnection"/> the gateway's transport accepted for it.</summary>
internal sealed class TransportPair : IAsyncDisposable
{
    private readonly GatewayListener _listener;

    private TransportPair(GatewayListener listener, Socket client, GatewayConnection connection)
    {
        _listener = listener;
        Client = client;
        Connection = connection;
    }

    public Socket Client { get; }

    public GatewayConnection Connection { get; }

    public static async Task<TransportPair> StartAsync(CancellationToken cancellation)
    {
        GatewayListener listener = GatewayListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Socket client = await SocketIo.ConnectAsync(listener.EndPoint, cancellation);
        var connection = (GatewayConnection)(await listener.AcceptAsync(cancellation))!;
        return new TransportPair(listener, client, connection);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Connection.DisposeAsync();
        await _listener.DisposeAsync();
    }
}
