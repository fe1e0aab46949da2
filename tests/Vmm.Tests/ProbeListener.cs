using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vmm.Tests;

/// <summary>
/// A TCP or UDP listener on the host's wildcard address that records who reached it: the thing a
/// sandbox must not reach. A TCP client gets a tiny HTTP answer, so curl succeeds when it does
/// reach it and a test can first show the probe works from the host.
/// </summary>
internal sealed class ProbeListener : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<IPAddress> _reached = new();

    public ProbeListener(ProtocolType protocol, AddressFamily family = AddressFamily.InterNetwork)
    {
        IPAddress any = family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        _socket = new Socket(family, protocol == ProtocolType.Udp ? SocketType.Dgram : SocketType.Stream, protocol);
        if (family == AddressFamily.InterNetworkV6)
        {
            _socket.DualMode = false;
        }

        _socket.Bind(new IPEndPoint(any, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        if (protocol == ProtocolType.Udp)
        {
            _ = ReceiveAsync(any);
        }
        else
        {
            _socket.Listen(16);
            _ = AcceptAsync();
        }
    }

    public int Port { get; }

    /// <summary>Connections or datagrams received so far, from anyone.</summary>
    public int Count => _reached.Count;

    /// <summary>Whether anything from <paramref name="source"/> arrived.</summary>
    public bool WasReachedFrom(IPAddress source) => _reached.Contains(source);

    /// <summary>Waits up to <paramref name="limit"/> for something from <paramref name="source"/>.</summary>
    public async Task<bool> WaitForAsync(IPAddress source, TimeSpan limit)
    {
        for (int waited = 0; waited < limit.TotalMilliseconds; waited += 100)
        {
            if (WasReachedFrom(source))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return WasReachedFrom(source);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using Socket client = await _socket.AcceptAsync(_stop.Token);
                _reached.Enqueue(Unmap(((IPEndPoint)client.RemoteEndPoint!).Address));
                await client.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nprobe"), SocketFlags.None);
                client.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ReceiveAsync(IPAddress any)
    {
        byte[] buffer = new byte[2048];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(any, 0), _stop.Token);
                _reached.Enqueue(Unmap(((IPEndPoint)received.RemoteEndPoint).Address));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static IPAddress Unmap(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
