using System.Net;
using System.Net.Sockets;

namespace Security.Tests.Harness;

/// <summary>How a <see cref="FaultyUpstream"/> misbehaves once a request arrives.</summary>
public enum UpstreamFault
{
    /// <summary>Resets the connection (RST, SO_LINGER 0).</summary>
    Reset,

    /// <summary>Reads the request and never answers.</summary>
    Stall,

    /// <summary>Sends a head promising 100 bytes, 4 of them, and closes.</summary>
    HalfResponse,
}

/// <summary>A raw loopback upstream that misbehaves the same way on every connection.</summary>
internal sealed class FaultyUpstream : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly UpstreamFault _fault;
    private readonly List<Socket> _held = [];

    public FaultyUpstream(UpstreamFault fault)
    {
        _fault = fault;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        lock (_held)
        {
            foreach (Socket socket in _held)
            {
                socket.Dispose();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                Socket socket = await _listener.AcceptAsync(_stop.Token);
                _ = MisbehaveAsync(socket);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task MisbehaveAsync(Socket socket)
    {
        try
        {
            byte[] buffer = new byte[4096];
            await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            switch (_fault)
            {
                case UpstreamFault.Reset:
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Dispose();
                    break;
                case UpstreamFault.Stall:
                    lock (_held)
                    {
                        _held.Add(socket);
                    }

                    break;
                case UpstreamFault.HalfResponse:
                    await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf"u8.ToArray(), SocketFlags.None, _stop.Token);
                    socket.Dispose();
                    break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            socket.Dispose();
        }
    }
}
