using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Dialing;

/// <summary>
/// A SOCKS5 server on loopback that plays a script per connection: what real servers send when
/// they misbehave (split replies, early close, wrong versions, silence) is easier to pin with a
/// script than with Dante. It records every frame it received.
/// </summary>
internal sealed class ScriptedSocks5Proxy : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<Session, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly Task _accepting;
    private int _accepted;

    private ScriptedSocks5Proxy(Func<Session, Task> script)
    {
        _script = script;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public DnsEndPoint DnsEndPoint => new("127.0.0.1", EndPoint.Port);

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Frames received, in order, over all connections.</summary>
    public ConcurrentQueue<byte[]> Frames { get; } = new();

    public static ScriptedSocks5Proxy Start(Func<Session, Task> script) => new(script);

    /// <summary>Accepts "no authentication" and answers CONNECT with <paramref name="reply"/>.</summary>
    public static ScriptedSocks5Proxy Replying(byte[] reply) => Start(async session =>
    {
        await session.ReadGreetingAsync();
        await session.SendAsync([5, 0]);
        await session.ReadConnectAsync();
        await session.SendAsync(reply);
    });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions).WaitAsync(s_timeout);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            socket.NoDelay = true;
            lock (_sessions)
            {
                _sessions.Add(RunAsync(new Session(socket, this)));
            }
        }
    }

    private async Task RunAsync(Session session)
    {
        using (session.Socket)
        {
            try
            {
                await _script(session).WaitAsync(s_timeout, _stop.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or TimeoutException)
            {
                // the client hung up or the test ended: the session is over
            }
        }
    }

    /// <summary>One accepted connection and the reads and writes a script is made of.</summary>
    internal sealed class Session(Socket socket, ScriptedSocks5Proxy proxy)
    {
        public Socket Socket { get; } = socket;

        public async Task<byte[]> ReadAsync(int count)
        {
            byte[] buffer = new byte[count];
            for (int read = 0; read < count;)
            {
                int n = await Socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, proxy._stop.Token);
                if (n == 0)
                {
                    throw new IOException("the client closed");
                }

                read += n;
            }

            return buffer;
        }

        public async Task<byte[]> ReadGreetingAsync()
        {
            byte[] head = await ReadAsync(2);
            return Record([.. head, .. await ReadAsync(head[1])]);
        }

        public async Task<byte[]> ReadAuthAsync()
        {
            byte[] user = await ReadAsync(2);
            byte[] name = await ReadAsync(user[1]);
            byte[] passwordLength = await ReadAsync(1);
            return Record([.. user, .. name, .. passwordLength, .. await ReadAsync(passwordLength[0])]);
        }

        public async Task<byte[]> ReadConnectAsync()
        {
            byte[] head = await ReadAsync(4);
            byte[] address = head[3] switch
            {
                1 => await ReadAsync(4),
                4 => await ReadAsync(16),
                _ => await ReadDomainAsync(),
            };
            return Record([.. head, .. address, .. await ReadAsync(2)]);
        }

        public Task SendAsync(byte[] bytes) => Socket.SendAsync(bytes, SocketFlags.None, proxy._stop.Token).AsTask();

        /// <summary>Sends one byte per write, pausing between, so the client sees the frame split across reads.</summary>
        public async Task SendByteByByteAsync(byte[] bytes)
        {
            foreach (byte b in bytes)
            {
                await SendAsync([b]);
                await Task.Delay(5, proxy._stop.Token);
            }
        }

        private async Task<byte[]> ReadDomainAsync()
        {
            byte[] length = await ReadAsync(1);
            return [.. length, .. await ReadAsync(length[0])];
        }

        private byte[] Record(byte[] frame)
        {
            proxy.Frames.Enqueue(frame);
            return frame;
        }
    }
}
