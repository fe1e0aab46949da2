using System.Globalization;
using System.Security.Cryptography;
using PolicyCompiler.Kits;
using Vmm.Admin;
using Vmm.Cli;
using Vmm.Network;

namespace Vmm.Sandboxes;

/// <summary>
/// Creates and removes sandboxes: the parts every kind shares (name, record, block, nftables,
/// registration with the gateway) around the kind's own <see cref="ISandboxKind"/> calls. A failed
/// create runs its <see cref="Rollback"/>, so it leaves nothing behind.
/// </summary>
internal sealed partial class SandboxManager(SandboxStore store, GatewayAdmin admin, TextWriter notes)
{
    /// <summary>Creates a sandbox and returns its record.</summary>
    public async Task<SandboxRecord> CreateAsync(CreateRequest request, CancellationToken cancellation)
    {
        ISandboxKind kind = SandboxKinds.Find(request.Kind)
            ?? throw new VmmException($"--kind {request.Kind} is not available in this build; kinds: {string.Join(", ", KindNames())}");
        List<KitSpec> kits = LoadKits(request.KitFiles);

        // Before anything is made: no gateway means no ports to redirect to and nobody to register with.
        var warnings = new List<string>();
        GatewayStatus status = await admin.StatusAsync(cancellation).ConfigureAwait(false);
        GatewayPorts ports = GatewayPortsReader.Read(status, warnings);
        List<string> confidential = ConfidentialPaths.Collect(store.StateDirectory, status.ConfidentialPaths, kits);
        string? workdir = Workdir(request.Workdir, confidential);
        string? token = request.WithToken ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) : null;

        var record = new SandboxRecord(
            request.Name, kind.Name, SandboxStatus.Creating, -1, string.Empty, string.Empty, string.Empty,
            [.. kits.ConvertAll(k => k.Name)], [.. request.KitFiles.Select(Path.GetFullPath)], token,
            new Dictionary<string, string>(), new Dictionary<string, string>(), Environment.ProcessId, DateTimeOffset.UtcNow,
            workdir, ports, confidential);
        if (!store.TryCreate(record))
        {
            throw new VmmException($"sandbox \"{request.Name}\" exists already (in {store.StateDirectory}); remove it with `vmm rm {request.Name}` or pick another name");
        }

        if (kind is Netns.NetnsKind && File.Exists(Path.Combine("/run/netns", request.Name)))
        {
            store.Delete(request.Name);
            throw new VmmException($"sandbox \"{request.Name}\": a network namespace of that name exists already (`ip netns ls`); pick another name");
        }

        var rollback = new Rollback();
        rollback.Push("record " + store.RecordPath(request.Name), () =>
        {
            store.Delete(request.Name);
            return Task.CompletedTask;
        });
        try
        {
            AddressBlock block = await BlockClaims.ClaimAsync(store.RecordPath(request.Name), cancellation).ConfigureAwait(false);
            rollback.Push("claim of " + block.InterfaceName, () =>
            {
                BlockClaims.Release(block);
                return Task.CompletedTask;
            });
            record = record with
            {
                Block = block.Index,
                HostInterface = block.InterfaceName,
                HostAddress = block.HostAddress.ToString(),
                SandboxAddress = block.SandboxAddress.ToString(),
            };
            store.Write(record);

            // The firewall first: it matches the interface by name, so it holds before the link exists.
            await NftRuleset.AddAsync(block.InterfaceName, block.HostAddress, block.SandboxAddress, ports, cancellation).ConfigureAwait(false);
            rollback.Push("nftables chains of " + block.InterfaceName, () => NftRuleset.RemoveAsync(block.InterfaceName, CancellationToken.None));
            string bundle = CaBundle.Write(block.InterfaceName, CaBundle.Compose(store.StateDirectory, warnings));
            rollback.Push("CA bundle " + bundle, () =>
            {
                CaBundle.Delete(block.InterfaceName);
                return Task.CompletedTask;
            });

            IReadOnlyList<string> refused = await admin.RegisterAsync(
                new GatewayRegistration(request.Name, [record.SandboxAddress], record.Kits, token), cancellation).ConfigureAwait(false);
            if (refused.Count > 0)
            {
                throw new VmmException("the gateway refused the sandbox: " + string.Join("; ", refused));
            }

            rollback.Push("registration with the gateway", () => admin.UnregisterAsync(request.Name, CancellationToken.None));
            GatewayEnvironment? fromGateway = kits.Count > 0
                ? await admin.EnvironmentAsync(request.Name, cancellation).ConfigureAwait(false)
                : null;
            Dictionary<string, string> environment = SandboxEnvironment.Build(
                record.HostAddress, ports, request.Name, token, kits, fromGateway, warnings);

            Directory.CreateDirectory(store.FilesOf(request.Name));
            var plan = new SandboxPlan
            {
                Name = request.Name,
                Kind = kind.Name,
                Block = block,
                Ports = ports,
                Kits = record.Kits,
                Environment = environment,
                Directory = store.FilesOf(request.Name),
                CaBundle = bundle,
                GatewayCa = File.Exists(CaBundle.GatewayCertificate(store.StateDirectory)) ? File.ReadAllText(CaBundle.GatewayCertificate(store.StateDirectory)) : null,
            };
            await kind.CreateAsync(plan, rollback, cancellation).ConfigureAwait(false);

            record = record with { Status = SandboxStatus.Ready, Environment = environment, KindState = plan.KindState, CreatorPid = 0 };
            store.Write(record);
            rollback.Commit();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            List<string> failures = await rollback.RunAsync().ConfigureAwait(false);
            string message = e is VmmException or HostCommandException or GatewayNotRunningException ? e.Message : e.GetType().Name + ": " + e.Message;
            foreach (string failure in failures)
            {
                message += Environment.NewLine + "vmm: rollback: " + failure;
            }

            throw new VmmException(message);
        }

        foreach (string warning in warnings)
        {
            notes.WriteLine("vmm: note: " + warning);
        }

        if (kind is Netns.NetnsKind)
        {
            notes.WriteLine("vmm: note: " + await Netns.NetnsConfinement.DescribeAsync(record, cancellation).ConfigureAwait(false));
        }

        return record;
    }

    // A workdir is the one writable host path: it must exist, and must not expose what is hidden.
    private static string? Workdir(string? given, List<string> confidential)
    {
        if (given is null)
        {
            return null;
        }

        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(given));
        if (!Directory.Exists(full))
        {
            throw new VmmException($"--workdir {given}: no such directory; create it first (owned by the user the sandbox runs as, nobody by default, to let it write there)");
        }

        foreach (string path in confidential)
        {
            if (full == "/" || full == path || full.StartsWith(path + "/", StringComparison.Ordinal) || path.StartsWith(full + "/", StringComparison.Ordinal))
            {
                throw new VmmException($"--workdir {given}: it would expose {path}, which holds the gateway's secrets; pick a directory of its own");
            }
        }

        return full;
    }

    private static List<KitSpec> LoadKits(IReadOnlyList<string> files)
    {
        var kits = new List<KitSpec>(files.Count);
        var errors = new List<KitError>();
        foreach (string given in files)
        {
            string path = Directory.Exists(given) ? Path.Combine(given, "spec.yaml") : given;
            if (KitParser.TryLoad(path, out KitSpec? kit, errors))
            {
                kits.Add(kit);
            }
        }

        if (errors.Count > 0)
        {
            throw new VmmException(string.Join(Environment.NewLine + "vmm: ", errors.ConvertAll(e => e.ToString())));
        }

        return kits;
    }

    private static IEnumerable<string> KindNames()
    {
        foreach (ISandboxKind kind in SandboxKinds.All)
        {
            yield return kind.Name;
        }
    }

    private static string Describe(SandboxRecord record) =>
        string.Create(CultureInfo.InvariantCulture, $"{record.Name} ({record.Kind}, {record.HostInterface})");
}
