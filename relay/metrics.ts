/**
 * Relay statistics and their Prometheus text exposition (format 0.0.4,
 * https://prometheus.io/docs/instrumenting/exposition_formats/). Aggregate counts only: nothing here identifies a
 * room, a device or a client address.
 */

import { RELAY_CLOSE, relayCloseName } from '../src/signaling/relay-protocol';

export interface RelayStats {
  /** Open WebSocket connections (including ones the relay is closing). */
  readonly connections: number;
  /** WebSocket connections accepted since start. */
  readonly connectionsAccepted: number;
  readonly rooms: number;
  /** Distinct fingerprints with at least one registered device. */
  readonly mailboxes: number;
  /** Payload bytes delivered to room members (the DELIVER type byte not counted). */
  readonly bytesForwarded: number;
  readonly messagesForwarded: number;
  /** SENDs dropped because the sender was alone in its room. */
  readonly messagesDropped: number;
  /** Connections whose reading is paused by backpressure. */
  readonly pausedConnections: number;
  /** Bytes queued by the relay for all connections, now. */
  readonly bufferedBytes: number;
  /** The largest `bufferedBytes` seen since start. */
  readonly peakBufferedBytes: number;
  /** Connections the relay closed, by close code (see RELAY_CLOSE). Client-initiated closes are not counted here. */
  readonly closesByCode: Readonly<Record<number, number>>;
  /** Connections the client closed (or that simply dropped). */
  readonly clientCloses: number;
}

/** Mutable counters kept by the server; gauges are read live when a snapshot is taken. */
export class RelayCounters {
  bytesForwarded = 0;
  messagesForwarded = 0;
  messagesDropped = 0;
  clientCloses = 0;
  connectionsAccepted = 0;
  readonly closesByCode = new Map<number, number>();

  countClose(code: number): void {
    this.closesByCode.set(code, (this.closesByCode.get(code) ?? 0) + 1);
  }
}

interface Metric {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly samples: readonly { readonly labels?: Readonly<Record<string, string>>; readonly value: number }[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function renderSample(name: string, labels: Readonly<Record<string, string>> | undefined, value: number): string {
  const entries = Object.entries(labels ?? {});
  const labelText = entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
  return `${name}${labelText} ${value}`;
}

/** The /metrics body. Every documented close code is always present (at 0), so dashboards see stable series. */
export function renderPrometheus(stats: RelayStats): string {
  const closeCodes = new Set<number>([...Object.values(RELAY_CLOSE), ...Object.keys(stats.closesByCode).map(Number)]);
  const metrics: Metric[] = [
    { name: 'sealdrop_relay_connections', type: 'gauge', help: 'Open WebSocket connections.', samples: [{ value: stats.connections }] },
    { name: 'sealdrop_relay_connections_accepted_total', type: 'counter', help: 'WebSocket connections accepted since start.', samples: [{ value: stats.connectionsAccepted }] },
    { name: 'sealdrop_relay_rooms', type: 'gauge', help: 'Rooms with at least one member.', samples: [{ value: stats.rooms }] },
    { name: 'sealdrop_relay_mailboxes', type: 'gauge', help: 'Fingerprints with at least one registered device.', samples: [{ value: stats.mailboxes }] },
    { name: 'sealdrop_relay_forwarded_bytes_total', type: 'counter', help: 'Payload bytes delivered to room members.', samples: [{ value: stats.bytesForwarded }] },
    { name: 'sealdrop_relay_forwarded_messages_total', type: 'counter', help: 'Messages delivered to room members.', samples: [{ value: stats.messagesForwarded }] },
    { name: 'sealdrop_relay_dropped_messages_total', type: 'counter', help: 'Messages dropped because the sender was alone in its room.', samples: [{ value: stats.messagesDropped }] },
    { name: 'sealdrop_relay_paused_connections', type: 'gauge', help: 'Connections paused by backpressure.', samples: [{ value: stats.pausedConnections }] },
    { name: 'sealdrop_relay_buffered_bytes', type: 'gauge', help: 'Bytes queued by the relay for all connections.', samples: [{ value: stats.bufferedBytes }] },
    { name: 'sealdrop_relay_buffered_bytes_peak', type: 'gauge', help: 'Largest relay-wide queue since start.', samples: [{ value: stats.peakBufferedBytes }] },
    {
      name: 'sealdrop_relay_closes_total',
      type: 'counter',
      help: 'Connections closed by the relay, by close code.',
      samples: [...closeCodes].sort((a, b) => a - b).map((code) => ({
        labels: { code: String(code), reason: relayCloseName(code) ?? 'OTHER' },
        value: stats.closesByCode[code] ?? 0,
      })),
    },
    { name: 'sealdrop_relay_client_closes_total', type: 'counter', help: 'Connections closed by the client.', samples: [{ value: stats.clientCloses }] },
  ];
  const lines: string[] = [];
  for (const metric of metrics) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const sample of metric.samples) lines.push(renderSample(metric.name, sample.labels, sample.value));
  }
  return `${lines.join('\n')}\n`;
}
