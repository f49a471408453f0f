//===- GraphLayerOp.cpp - graph.layer: builder, syntax, verifier ----------===//
//
// Syntax:
//   %r = graph.layer block 3 (%arg0 = %x : tensor<...>, ...) -> tensor<...>
//       attributes {...} { ... graph.yield ... }
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace ptc::graph;

void LayerOp::build(OpBuilder &builder, OperationState &state,
                    TypeRange resultTypes, ValueRange inputs, LayerKind kind,
                    int64_t index) {
  state.addOperands(inputs);
  state.addTypes(resultTypes);
  state.getOrAddProperties<Properties>().kind =
      LayerKindAttr::get(builder.getContext(), kind);
  state.getOrAddProperties<Properties>().index =
      builder.getI64IntegerAttr(index);
  Region *body = state.addRegion();
  Block *block = new Block();
  body->push_back(block);
  for (Value input : inputs)
    block->addArgument(input.getType(), state.location);
}

ParseResult LayerOp::parse(OpAsmParser &parser, OperationState &state) {
  StringRef kindName;
  SMLoc kindLoc = parser.getCurrentLocation();
  if (parser.parseKeyword(&kindName))
    return failure();
  std::optional<LayerKind> kind = symbolizeLayerKind(kindName);
  if (!kind)
    return parser.emitError(kindLoc, "unknown layer kind '")
           << kindName
           << "' (allowed: embedding, block, head, and their *_backward units)";
  int64_t index;
  if (parser.parseInteger(index))
    return failure();
  MLIRContext *context = parser.getContext();
  state.getOrAddProperties<Properties>().kind =
      LayerKindAttr::get(context, *kind);
  state.getOrAddProperties<Properties>().index =
      IntegerAttr::get(IntegerType::get(context, 64), index);

  SmallVector<OpAsmParser::Argument> regionArgs;
  SmallVector<OpAsmParser::UnresolvedOperand> operands;
  if (parser.parseLParen())
    return failure();
  if (failed(parser.parseOptionalRParen())) {
    do {
      OpAsmParser::Argument arg;
      OpAsmParser::UnresolvedOperand operand;
      if (parser.parseArgument(arg) || parser.parseEqual() ||
          parser.parseOperand(operand) || parser.parseColonType(arg.type))
        return failure();
      regionArgs.push_back(arg);
      operands.push_back(operand);
    } while (succeeded(parser.parseOptionalComma()));
    if (parser.parseRParen())
      return failure();
  }
  for (auto [arg, operand] : llvm::zip(regionArgs, operands))
    if (parser.resolveOperand(operand, arg.type, state.operands))
      return failure();
  SmallVector<Type> resultTypes;
  if (parser.parseOptionalArrowTypeList(resultTypes))
    return failure();
  state.addTypes(resultTypes);
  if (parser.parseOptionalAttrDictWithKeyword(state.attributes))
    return failure();
  Region *body = state.addRegion();
  if (parser.parseRegion(*body, regionArgs))
    return failure();
  LayerOp::ensureTerminator(*body, parser.getBuilder(), state.location);
  return success();
}

void LayerOp::print(OpAsmPrinter &printer) {
  printer << ' ' << stringifyLayerKind(getKind()) << ' '
          << getIndexAttr().getInt() << " (";
  llvm::interleaveComma(llvm::zip(getBodyBlock().getArguments(), getInputs()),
                        printer, [&](auto pair) {
                          auto [arg, input] = pair;
                          printer << arg << " = " << input << " : "
                                  << input.getType();
                        });
  printer << ')';
  if (!getResults().empty()) {
    printer << " -> ";
    if (getNumResults() == 1)
      printer << getResult(0).getType();
    else
      printer << '(' << getResultTypes() << ')';
  }
  printer.printOptionalAttrDictWithKeyword((*this)->getAttrs(),
                                           {"kind", "index"});
  printer << ' ';
  printer.printRegion(getBody(), /*printEntryBlockArgs=*/false,
                      /*printBlockTerminators=*/true);
}

LogicalResult LayerOp::verifyRegions() {
  Block &block = getBodyBlock();
  if (block.getNumArguments() != getInputs().size())
    return emitOpError("body has ")
           << block.getNumArguments() << " arguments for " << getInputs().size()
           << " inputs";
  for (auto [i, arg, input] :
       llvm::enumerate(block.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError("body argument #")
             << i << " has type " << arg.getType() << ", input has "
             << input.getType();
  auto yield = cast<YieldOp>(block.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return yield.emitOpError("yields ")
           << yield.getValues().getTypes().size()
           << " values whose types do not match the layer's results";
  if (getIndexAttr().getInt() < 0)
    return emitOpError("index must be >= 0, got ") << getIndexAttr().getInt();
  return success();
}
