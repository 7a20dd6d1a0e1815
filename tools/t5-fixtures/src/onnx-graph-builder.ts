import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS whose module.exports is the protobufjs root; the namespace hangs off it.
const { onnx } = onnxProto;

const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;
export const DataType = { FLOAT: 1, INT64: 7 } as const;

type AttributeValue = number | readonly number[] | { float: number };

/**
 * Accumulates nodes and initializers for one ONNX graph. Used only by the fixture generator;
 * the pure-TypeScript reference deliberately shares nothing with it, so a wrong op here shows
 * up as a mismatch there instead of being reproduced on both sides.
 */
export class GraphBuilder {
  readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private counter = 0;

  /** Adds a node and returns its (first) output name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, name?: string): string {
    const output = name ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        name: `${output}_node`,
        input: [...inputs],
        output: [output],
        attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
      }),
    );
    return output;
  }

  floatTensor(name: string, dims: readonly number[], values: Float32Array): string {
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.FLOAT, rawData: littleEndianBytes(values) }),
    );
    return name;
  }

  int64Tensor(name: string, dims: readonly number[], values: readonly number[]): string {
    const bytes = Buffer.alloc(values.length * 8);
    values.forEach((v, i) => bytes.writeBigInt64LE(BigInt(v), i * 8));
    this.initializers.push(onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.INT64, rawData: bytes }));
    return name;
  }

  scalarFloat(name: string, value: number): string {
    return this.floatTensor(name, [], new Float32Array([value]));
  }

  scalarInt64(name: string, value: number): string {
    return this.int64Tensor(name, [], [value]);
  }
}

function attribute(name: string, value: AttributeValue): InstanceType<typeof onnx.AttributeProto> {
  if (typeof value === 'number') return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value });
  if ('float' in value) return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value.float });
  return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: [...value] });
}

/** ONNX raw_data is little-endian; on a little-endian host this is a zero-copy view. */
function littleEndianBytes(values: Float32Array): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
}

export interface TensorInfo {
  readonly name: string;
  readonly elemType: number;
  /** A number is a fixed size, a string a named dynamic axis (as optimum names them). */
  readonly dims: readonly (number | string)[];
}

export function valueInfo({ name, elemType, dims }: TensorInfo): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

export function encodeModel(
  builder: GraphBuilder,
  graphName: string,
  inputs: readonly TensorInfo[],
  outputs: readonly TensorInfo[],
  opsetVersion: number,
): Uint8Array {
  const model = onnx.ModelProto.create({
    // IR 8 is what onnx-proto 8 (ONNX 1.10) describes; onnxruntime accepts it with any opset it implements.
    irVersion: 8,
    producerName: 'coldstart-t5-fixture',
    opsetImport: [{ domain: '', version: opsetVersion }],
    graph: {
      name: graphName,
      node: builder.nodes,
      initializer: builder.initializers,
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
