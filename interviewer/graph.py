"""Wires the interview nodes into a LangGraph StateGraph; callers compile it with a checkpointer."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from interviewer.nodes import Nodes
from interviewer.state import InterviewState


def build_graph(nodes: Nodes) -> StateGraph[InterviewState]:
    """The interview state machine: plan, then ask → wait → intake → retrieve → score → route."""
    graph: StateGraph[InterviewState] = StateGraph(InterviewState)
    graph.add_node("plan", nodes.plan)
    graph.add_node("ask", nodes.ask)
    graph.add_node("await_answer", nodes.await_answer)
    graph.add_node("intake", nodes.intake)
    graph.add_node("retrieve", nodes.retrieve)
    graph.add_node("score", nodes.score)
    graph.add_node("probe", nodes.probe)
    graph.add_node("next_question", nodes.next_question)
    graph.add_node("round_summary", nodes.round_summary)
    graph.add_node("debrief", nodes.debrief)

    graph.add_edge(START, "plan")
    graph.add_edge("plan", "ask")
    graph.add_edge("ask", "await_answer")
    graph.add_edge("await_answer", "intake")
    graph.add_edge("retrieve", "score")
    graph.add_conditional_edges("score", nodes.route_after_score, ["probe", "next_question"])
    graph.add_edge("probe", "ask")
    graph.add_edge("debrief", END)
    return graph
