using System.Net;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Gateway.Configuration;
using Gateway.Sandboxes;
using PolicyCompiler.Budgets;

namespace Benchmarks;

/// <summary>
/// The budget check a request pays (issue 21 point 5: 0 B per request): finding the sandbox's
/// limiter set (<see cref="SandboxBudgets.For"/>, created on the first request and reused) and
/// admitting the request against requestsPerSecond and uploadBytesPerHour with a declared body
/// (<see cref="SandboxBudget.TryAdmitRequest"/>). The budgets are set so high that nothing is
/// refused: a refusal answers 429 and writes an audit event, which costs far more than its lease.
/// The connection check (a <see cref="ConcurrencyLimiter"/> slot taken and given back, plus the
/// connectionsPerSecond token) is shown too: it is paid once per connection, not per request.
/// </summary>
[MemoryDiagnoser]
public class BudgetBenchmarks
{
    private const int Ops = 16;

    private static readonly Sandbox s_sandbox = new("bench", [IPAddress.Parse("10.209.0.2")], [], null, registered: false);

    private SandboxBudgets _budgets = null!;
    private SandboxBudgets _unbudgeted = null!;

    [GlobalSetup]
    public void Setup()
    {
        // int.MaxValue per second: far past what one core can ask for, so the bucket never runs dry mid-run.
        var limits = new BudgetLimits(int.MaxValue, int.MaxValue, int.MaxValue, BudgetSyntax.MaxUploadBytes);
        _budgets = new SandboxBudgets([new SandboxConfig("bench", s_sandbox.Addresses, [], null) { Budgets = limits }], static () => null, null);
        _unbudgeted = new SandboxBudgets([], static () => null, null);
        if (_budgets.For(s_sandbox) is null || _unbudgeted.For(s_sandbox) is not null)
        {
            throw new InvalidOperationException("setup: the sandbox must have budgets in one book and none in the other");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _budgets.Dispose();
        _unbudgeted.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops, Description = "sandbox without budgets: look-up only")]
    public int NoBudget()
    {
        int admitted = 0;
        for (int i = 0; i < Ops; i++)
        {
            admitted += _unbudgeted.For(s_sandbox) is null ? 1 : 0;
        }

        return admitted;
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "request: look-up + requestsPerSecond + uploadBytesPerHour (1 KiB body)")]
    public int Request()
    {
        int admitted = 0;
        for (int i = 0; i < Ops; i++)
        {
            admitted += _budgets.For(s_sandbox)!.TryAdmitRequest(1024) == BudgetKind.None ? 1 : 0;
        }

        return admitted;
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "request without a body: look-up + requestsPerSecond + window check")]
    public int RequestNoBody()
    {
        int admitted = 0;
        for (int i = 0; i < Ops; i++)
        {
            admitted += _budgets.For(s_sandbox)!.TryAdmitRequest(null) == BudgetKind.None ? 1 : 0;
        }

        return admitted;
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "connection: look-up + slot taken and given back + connectionsPerSecond")]
    public int Connection()
    {
        int admitted = 0;
        for (int i = 0; i < Ops; i++)
        {
            if (_budgets.For(s_sandbox)!.TryOpenConnection(out RateLimitLease? slot) == BudgetKind.None)
            {
                admitted++;
            }

            slot?.Dispose();
        }

        return admitted;
    }
}
