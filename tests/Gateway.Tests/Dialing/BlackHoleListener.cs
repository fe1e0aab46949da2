using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Dialing;

/// <summary>
/// A loopback listener whose accept queue is full, so the kernel drops further SYNs and a
/// connect to it neither completes nor fails: a black hole that never leaves loopback.
/// Linux drops a SYN when the accept queue is over its backlog (0 here) and nobody accepts.
/// </summary>
internal sealed class BlackHoleListener : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _fillers = [];

    public BlackHoleListener(IPAddress address, int port = 0)
    {
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, port));
        _listener.Listen(0);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Connects fillers until one hangs; that one proves the queue is full.</summary>
    public async Task FillAsync()
    {
        for (int i = 0; i < 8; i++)
        {
            var filler = new Socket(EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _fillers.Add(filler);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                await filler.ConnectAsync(EndPoint, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        throw new InvalidOperationException($"the accept queue of {EndPoint} did not fill; this kernel does not drop SYNs on overflow");
    }

    public void Dispose()
    {
        foreach (Socket filler in _fillers)
        {
            filler.Dispose();
        }

        _listener.Dispose();
    }
}
