using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Listeners;
using Gateway.Sandboxes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Dns;

/// <summary>
/// The sandbox-facing resolver on <c>listen.dns</c>: one receive loop on a UDP socket and one
/// accept loop on a TCP socket (RFC 1035 §4.2; RFC 7766), the same port for both. Each query
/// is answered by <see cref="DnsResolver"/>, then audited (<c>proxy: dns</c>, status = the
/// RCODE sent). Buffers are rented once per loop or connection, never per query.
/// </summary>
internal sealed partial class DnsServer(
    GatewayConfig config, DnsResolver resolver, EgressRecorder recorder, BudgetGate budgets, ILogger<DnsServer> logger)
    : IHostedService, IDisposable
{
    /// <summary>Largest datagram read whole; a bigger one is truncated by the kernel and answered FORMERR.</summary>
    private const int UdpReceiveSize = 4096;

    /// <summary>Largest TCP query accepted; a stub's query is under 300 bytes, so a longer one is an abuse and closes the connection.</summary>
    private const int TcpMaxQuery = 4096;

    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private readonly DnsTcpSlots _tcpSlots = new();
    private Socket? _udp;
    private Socket? _tcp;
    private Task _udpLoop = Task.CompletedTask;
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>Where UDP and TCP are bound (the port the kernel chose when configured with 0); null before start.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        IPEndPoint configured = config.Listen.Dns ?? throw new InvalidOperationException("listen.dns is not set");

        // Port 0 (tests): the kernel picks the TCP port and UDP then takes the same one. TCP first,
        // because TCP ports are the scarce ones on a busy host (every outgoing connection and its
        // TIME_WAIT holds one), so a kernel-chosen UDP port was often taken for TCP; a UDP clash
        // is rare, and retried.
        for (int attempt = 0; ; attempt++)
        {
            Socket tcp = Bind(configured, SocketType.Stream, ProtocolType.Tcp);
            var bound = (IPEndPoint)tcp.LocalEndPoint!;
            try
            {
                tcp.Listen(DnsTcpSlots.Total);
                Socket udp = Bind(bound, SocketType.Dgram, ProtocolType.Udp);
                (_udp, _tcp, EndPoint) = (udp, tcp, bound);
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && configured.Port == 0 && attempt < 32)
            {
                tcp.Dispose();
            }
            catch
            {
                tcp.Dispose();
                throw;
            }
        }

        _udpLoop = Task.Run(() => ServeUdpAsync(_udp, _stopping.Token), CancellationToken.None);
        _acceptLoop = Task.Run(() => AcceptAsync(_tcp, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Idempotent: the host stops once on SIGTERM and again when it is disposed.
        await _stopping.CancelAsync().ConfigureAwait(false);
        _udp?.Dispose();
        _tcp?.Dispose();
        Task[] open;
        lock (_connections)
        {
            open = [_udpLoop, _acceptLoop, .. _connections];
        }

        // Every loop ends on the token; waiting for them means no audit event comes after the writer stops.
        await Task.WhenAll(open).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _stopping.Dispose();

    private static Socket Bind(IPEndPoint endPoint, SocketType type, ProtocolType protocol)
    {
        var socket = new Socket(endPoint.AddressFamily, type, protocol);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            if (type == SocketType.Stream)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The answer's address is the query's destination address (IP_PKTINFO), so a gateway
    // listening on 0.0.0.0 answers each sandbox with its own end of that sandbox's link. The
    // reply leaves from the same socket; its source address is the kernel's route choice,
    // which on a sandbox's point-to-point link is that same address.
    private async Task ServeUdpAsync(Socket socket, CancellationToken stopping)
    {
        byte[] request = ArrayPool<byte>.Shared.Rent(UdpReceiveSize);
        byte[] response = ArrayPool<byte>.Shared.Rent(DnsResponseWriter.MaxResponseLength);
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        IPAddress boundAddress = ((IPEndPoint)socket.LocalEndPoint!).Address;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                SocketReceiveMessageFromResult received;
                try
                {
                    received = await socket.ReceiveMessageFromAsync(request.AsMemory(0, UdpReceiveSize), SocketFlags.None, any, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }
                catch (SocketException e)
                {
                    // ICMP errors for earlier replies surface here on some platforms; the socket stays usable.
                    Log.UdpError(logger, e.SocketErrorCode);
                    continue;
                }

                long started = Stopwatch.GetTimestamp();
                var remote = (IPEndPoint)received.RemoteEndPoint;
                IPAddress? local = LocalAddress(received.PacketInformation.Address, boundAddress);

                // A datagram cut by the kernel is malformed however it parses.
                int length = (received.SocketFlags & SocketFlags.Truncated) != 0 ? 2 : received.ReceivedBytes;
                DnsExchange exchange = resolver.Answer(request.AsSpan(0, Math.Min(length, received.ReceivedBytes)), response, remote.Address, local, tcp: false, started);
                if (exchange.Length > 0)
                {
                    try
                    {
                        await socket.SendToAsync(response.AsMemory(0, exchange.Length), SocketFlags.None, remote, stopping).ConfigureAwait(false);
                    }
                    catch (SocketException e)
                    {
                        Log.UdpError(logger, e.SocketErrorCode);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                await RecordAsync(exchange).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(request);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    private async Task AcceptAsync(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                Log.TcpError(logger, e.SocketErrorCode);
                continue;
            }

            IPAddress source = ((IPEndPoint)client.RemoteEndPoint!).Address;
            BudgetLease budget = await budgets.EnterDnsAsync(source, client.LocalEndPoint as IPEndPoint).ConfigureAwait(false);
            lock (_connections)
            {
                if (budget.Refused || stopping.IsCancellationRequested || !_tcpSlots.TryTake(source))
                {
                    budget.Dispose();
                    client.Dispose();
                    continue;
                }

                Task connection = ServeTcpAsync(client, budget, stopping);
                _connections.Add(connection);
                _ = connection.ContinueWith(
                    static (task, state) =>
                    {
                        (DnsServer self, IPAddress from) = ((DnsServer, IPAddress))state!;
                        lock (self._connections)
                        {
                            self._connections.Remove(task);
                            self._tcpSlots.Return(from);
                        }
                    },
                    (this, source),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    // RFC 1035 §4.2.2: each message has a 2-byte length prefix; a connection may carry many,
    // answered in order. Each message (or the wait for the next) has limits.headerTimeout.
    private async Task ServeTcpAsync(Socket client, BudgetLease budget, CancellationToken stopping)
    {
        using BudgetLease slot = budget;
        await Task.Yield();
        byte[] request = ArrayPool<byte>.Shared.Rent(TcpMaxQuery);
        byte[] response = ArrayPool<byte>.Shared.Rent(DnsResponseWriter.MaxResponseLength + 2);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        try
        {
            var remote = (IPEndPoint)client.RemoteEndPoint!;
            IPAddress? local = LocalAddress(((IPEndPoint)client.LocalEndPoint!).Address, IPAddress.None);
            while (true)
            {
                timeout.CancelAfter(config.Limits.HeaderTimeout);
                if (!await ReadExactlyAsync(client, request.AsMemory(0, 2), timeout.Token).ConfigureAwait(false))
                {
                    return;
                }

                int length = BinaryPrimitives.ReadUInt16BigEndian(request);
                if (length > TcpMaxQuery)
                {
                    Log.TcpQueryTooLong(logger, remote, length);
                    return;
                }

                if (!await ReadExactlyAsync(client, request.AsMemory(0, length), timeout.Token).ConfigureAwait(false))
                {
                    return;
                }

                timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                DnsExchange exchange = resolver.Answer(request.AsSpan(0, length), response.AsSpan(2), remote.Address, local, tcp: true, Stopwatch.GetTimestamp());
                if (exchange.Length == 0)
                {
                    return;
                }

                BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)exchange.Length);
                await client.SendAsync(response.AsMemory(0, exchange.Length + 2), SocketFlags.None, stopping).ConfigureAwait(false);
                await RecordAsync(exchange).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Timed out, reset or stopping: the connection ends, the daemon does not care why.
        }
        finally
        {
            client.Dispose();
            ArrayPool<byte>.Shared.Return(request);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    // False when the peer closed before the buffer was full.
    private static async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellation)
    {
        while (!buffer.IsEmpty)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }

    // The address to answer with: the packet's destination (IPv4 unmapped), else the bound
    // address when it is a specific one, else none (allowed names then get no answer).
    // dns.answerAddress, when set, wins: behind a NAT or a shared bridge the arrival address is not
    // the one the sandbox can reach the gateway on.
    private IPAddress? LocalAddress(IPAddress? destination, IPAddress bound)
    {
        if (config.Dns?.AnswerAddress is { } configured)
        {
            return configured;
        }

        IPAddress? address = destination is not null && !destination.Equals(IPAddress.Any) && !destination.Equals(IPAddress.IPv6Any) && !destination.Equals(IPAddress.None)
            ? destination
            : bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any) || bound.Equals(IPAddress.None) ? null : bound;
        return address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
    }

    // Every query: decided ones with their rule, refused-before-deciding ones (malformed, from
    // an unknown address) with the reason. Only packets not worth an answer (a response, a
    // fragment shorter than an id) go unrecorded, counted in gateway_errors_total.
    private ValueTask RecordAsync(in DnsExchange exchange) =>
        exchange.Decided ? recorder.RecordAsync(in exchange.Verdict, EgressOutcome.Refused((int)exchange.Rcode)) : ValueTask.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(6000, LogLevel.Debug, "dns: udp socket error {Error}")]
        public static partial void UdpError(ILogger logger, SocketError error);

        [LoggerMessage(6001, LogLevel.Debug, "dns: tcp accept error {Error}")]
        public static partial void TcpError(ILogger logger, SocketError error);

        [LoggerMessage(6002, LogLevel.Debug, "dns: {Remote} sent a {Length}-byte TCP query; closed")]
        public static partial void TcpQueryTooLong(ILogger logger, IPEndPoint remote, int length);
    }
}
