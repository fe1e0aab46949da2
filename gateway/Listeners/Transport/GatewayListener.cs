using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Listeners.Transport;

/// <summary>A listening TCP socket whose accepted connections are <see cref="GatewayConnection"/>s.</summary>
internal sealed class GatewayListener : IConnectionListener
{
    // Kestrel's socket transport default.
    private const int Backlog = 512;

    private readonly Socket _socket;

    private GatewayListener(Socket socket)
    {
        _socket = socket;
        EndPoint = socket.LocalEndPoint!;
    }

    public EndPoint EndPoint { get; }

    /// <summary>Binds and listens on <paramref name="endPoint"/>, as Kestrel's socket transport would.</summary>
    /// <exception cref="AddressInUseException">The address is taken (Kestrel's start-up error for it).</exception>
    public static GatewayListener Bind(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(Backlog);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new GatewayListener(socket);
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                return null; // unbound
            }
            catch (SocketException)
            {
                // A connection reset before it was accepted (ECONNABORTED), or out of descriptors: try the next.
                continue;
            }

            try
            {
                // Small writes (a CONNECT answer, a TLS flight) go out at once, as on Kestrel's transport.
                accepted.NoDelay = true;
                return new GatewayConnection(accepted);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Reset between accept and here: its endpoints are gone, nothing to serve.
                accepted.Dispose();
            }
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
